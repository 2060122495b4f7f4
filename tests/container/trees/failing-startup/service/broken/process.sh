#!/bin/sh
echo "broken: process started"
exec sleep 600

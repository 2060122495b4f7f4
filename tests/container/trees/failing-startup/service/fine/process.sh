#!/bin/sh
echo "fine: process started"
exec sleep 600

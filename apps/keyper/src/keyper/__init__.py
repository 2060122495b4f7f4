"""keyper: an SSH certificate authority with users, hosts and keys kept in LDAP."""

__version__ = "0.1.0"

"""`python -m monitor` runs the `otklik` command."""

from monitor.cli import main

main()

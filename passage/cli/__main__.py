"""`python -m passage.cli`."""

from passage.cli.main import main

main()

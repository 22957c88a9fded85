"""``python -m specsearch``: the CLI."""

from specsearch.cli import main

if __name__ == "__main__":
    main()

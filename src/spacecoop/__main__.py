"""Allow ``python -m spacecoop``."""

from spacecoop.cli import main

if __name__ == "__main__":
    main()

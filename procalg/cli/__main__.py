"""``python -m procalg.cli``: the same as the ``procalg`` command."""

from procalg.cli.main import main

raise SystemExit(main())

from sigill.cli import main

raise SystemExit(main())

from gitcontracts.cli import main

raise SystemExit(main())

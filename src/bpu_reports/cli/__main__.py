from bpu_reports.cli import main

raise SystemExit(main())

from vst_desktop.cli import main

raise SystemExit(main())

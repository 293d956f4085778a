"""python -m controlplane.admin"""

from controlplane.admin.cli import main

main()

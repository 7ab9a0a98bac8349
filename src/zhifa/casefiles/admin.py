"""Case files are case content: they are read on the workbench, where every
opening is logged (REC-12), so the admin shows none of them."""

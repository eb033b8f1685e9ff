-- target redshift, no database given: every script is shown as pending

-- dry run: 0 script(s) would be applied; nothing was changed

"""The administrator's pages for processes: deployed versions, deploying a file, migrating instances, and the
instance console."""

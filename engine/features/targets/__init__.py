"""整改目标: the environmental quality indicators a rectification plan promises, and their values month by month."""

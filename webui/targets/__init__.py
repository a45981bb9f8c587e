"""整改目标: the environmental indicators, their values and their charts."""

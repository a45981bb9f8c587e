"""节假日: the administrators' holiday and make-up-day table for the years the statutory calendar does not cover."""

"""访问令牌: a person's personal access tokens for the JSON API."""

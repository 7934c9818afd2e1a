"""What the running network must show once a device carries its intended configuration."""

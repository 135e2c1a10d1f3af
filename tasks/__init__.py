"""Gate and step mechanics shared by every programme flow."""

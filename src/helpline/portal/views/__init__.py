"""Portal pages: the public request form (full page and embedded), sign-in, and the customer's tickets."""

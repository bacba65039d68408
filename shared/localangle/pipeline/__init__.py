"""What each function does, one module per stage; handlers call exactly one function here."""

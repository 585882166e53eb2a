"""State changes of safety data: vital signs, adverse events and SAEs, signatures."""

# Placeholder for the tutorial's model2 (Python backend): it prints and echoes its inputs.

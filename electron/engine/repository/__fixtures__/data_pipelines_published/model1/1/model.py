# Placeholder for the tutorial's model1 (Python backend): it prints and echoes its inputs.

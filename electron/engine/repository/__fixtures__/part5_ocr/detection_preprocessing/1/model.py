# Placeholder for the tutorial's detection_preprocessing step (Python backend).

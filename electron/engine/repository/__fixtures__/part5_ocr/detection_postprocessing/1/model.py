# Placeholder for the tutorial's detection_postprocessing step (Python backend).

# Placeholder for the tutorial's recognition_postprocessing step (Python backend).

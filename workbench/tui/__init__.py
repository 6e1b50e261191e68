"""The Textual app: the layer map (home), the lesson screen, and the widgets they share."""

"""Models by family: traditional (scikit-learn), deep_learning (pytorch, tensorflow), generative (llm), specialized (nlp)."""

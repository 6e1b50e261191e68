"""Exercise: guard the model's input.

validate_features receives whatever a caller sends. Return it as a 2-D float
array with 4 columns, or raise ValueError with a message that says what was
expected. Right now it lets everything through.
"""

import numpy as np


def validate_features(features):
    return np.asarray(features)

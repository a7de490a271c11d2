import numpy as np
def covariance(J, r, absolute_sigma=False):
    m, n = J.shape
    U, s, Vt = np.linalg.svd(J, full_matrices=False)
    inv = (Vt.T / s**2) @ Vt
    return inv if absolute_sigma else inv * (r @ r) / (m - n)
def correlation(C):
    d = np.sqrt(np.diag(C)); return C / np.outer(d, d)

"""Sequence labelling: HMM, MEMM, CRF, the label-bias lattice, segmentation metrics."""

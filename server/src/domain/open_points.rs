//! Open points of a draft and the markers that announce them in the text (docs/DOMAIN.md §17).

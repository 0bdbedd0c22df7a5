"""Sphinx settings for the book site (`make site`): the stored notebooks, unexecuted, with a local MathJax."""
project = "Embedding Layers, Explained"
author = "the series' authors"
copyright = "the series' authors"  # noqa: A001 - the name Sphinx reads

extensions = ["myst_nb", "sphinx-mathjax-offline"]  # the latter copies MathJax 3 into _static: no CDN
root_doc = "00_index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

nb_execution_mode = "off"  # the site shows the stored outputs, exactly as nbval checks them
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]

html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["_static"]
html_css_files = ["series.css"]
html_sourcelink_suffix = ""  # _sources/NN_name.ipynb, so the download button hands out the notebook itself
html_last_updated_fmt = None
html_theme_options = {
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "navigation_with_keys": True,
}

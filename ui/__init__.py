"""The Streamlit inbox."""

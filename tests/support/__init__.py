"""Test machinery shared by the whole suite: a throwaway PostgreSQL cluster, a live dashboard
server and a headless Chromium. tests/conftest.py turns these helpers into fixtures; the app
never imports anything from here.
"""

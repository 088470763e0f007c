"""The demo bureau of `make run` (load_demo, demo_logins): its users, agency, cases,
registers, published items and portal pages — one package, so that no app imports
another app's demo. Nothing in the domain apps imports from here."""

"""client_core"""

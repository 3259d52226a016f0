"""What operators need to run the portal: health, metrics, the audit log."""

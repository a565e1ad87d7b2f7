"""The desk's page groups, one router each; `service.ui.router` mounts them under /ui."""

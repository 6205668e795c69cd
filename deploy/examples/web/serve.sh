#!/bin/sh
# Writes the page at start (the hostname is the container's, known only at run time), then runs
# httpd in the foreground as the container's main process, logging requests to stderr (-v).
set -e
mkdir -p /www
echo "Hello from Flotilla: web ${VERSION:-v1} on $(hostname)" > /www/index.html
echo "web ${VERSION:-v1}: serving on port 80"
exec httpd -f -v -p 80 -h /www

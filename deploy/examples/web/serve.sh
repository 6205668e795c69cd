#!/bin/sh
# Writes the page at start (the hostname is the container's, known only at run time), then runs
# httpd in the foreground as the container's main process.
set -e
mkdir -p /www
echo "Hello from Flotilla: web ${VERSION:-v1} on $(hostname)" > /www/index.html
exec httpd -f -p 80 -h /www

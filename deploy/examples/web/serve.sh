#!/bin/sh
# Writes the page at start (the hostname is the container's, known only at run time), then runs
# httpd in the foreground as the container's main process, logging requests to stderr (-v).
# /cgi-bin/api calls the stack's `api` service by its name (the overlay's DNS gives its VIP, and
# the VIP spreads the connections over api's tasks on every machine) and shows both answers.
set -e
mkdir -p /www/cgi-bin
echo "Hello from Flotilla: web ${VERSION:-v1} on $(hostname)" > /www/index.html
cat > /www/cgi-bin/api <<CGI
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
# (timeout, not wget -T: this static busybox 1.35 wget segfaults with -T.)
echo "web ${VERSION:-v1} on $(hostname) called http://api:8080/: \$(timeout 5 wget -qO- http://api:8080/ 2>&1)"
CGI
chmod 0755 /www/cgi-bin/api
echo "web ${VERSION:-v1}: serving on port 80"
exec httpd -f -v -p 80 -h /www

# Conveniences around the scripts; `swift build` and `swift test` work without make.
PREFIX ?=

.PHONY: release install deb
release:
	scripts/build-release.sh

install:
	scripts/install.sh $(if $(PREFIX),--prefix $(PREFIX))

deb:
	packaging/debian/build-deb.sh

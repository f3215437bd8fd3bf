#!/bin/sh
echo "Prisma schema engine is not available on this machine; see scripts/prisma.mjs" >&2
exit 1

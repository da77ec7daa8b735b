"""Oracle for the heatmap PNGs (Cairo's encoder) and for librsvg's renderings of the SVG ones: a strict PNG
decoder written against the PNG specification with only the Python standard library (zlib, struct), so
the tests read pixels without Qt's image plugins and without the library that wrote them.

  png_decode.py PNG RAW_OUT     decode PNG, write its pixels (row-major, 3 or 4 bytes each) to RAW_OUT and
                                print {"width", "height", "channels", "chunks": [type, ...]} as JSON

Refuses (exit 1, reason on stderr): a bad signature or CRC, IHDR not first or not 13 bytes, anything but
8-bit RGB/RGBA without interlace, IDAT chunks that are not consecutive, a zlib stream that does not end
exactly at the end of the IDAT data, an unknown filter type, a wrong amount of image data, an unknown
critical chunk, or bytes after IEND.
"""

import json
import struct
import sys
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def refuse(message):
    sys.stderr.write("png_decode: " + message + "\n")
    sys.exit(1)


def chunks(data):
    if data[:8] != SIGNATURE:
        refuse("bad signature")
    at = 8
    while at < len(data):
        if at + 12 > len(data):
            refuse("truncated chunk at byte %d" % at)
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        body = data[at + 8 : at + 8 + length]
        if len(body) != length or at + 12 + length > len(data):
            refuse("chunk %r overruns the file" % kind)
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            refuse("CRC mismatch in chunk %r" % kind)
        yield kind.decode("ascii"), body
        at += 12 + length
        if kind == b"IEND" and at != len(data):
            refuse("%d bytes after IEND" % (len(data) - at))


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def unfilter(raw, width, height, bpp):
    stride = width * bpp
    if len(raw) != (stride + 1) * height:
        refuse("image data is %d bytes, expected %d" % (len(raw), (stride + 1) * height))
    out = bytearray(stride * height)
    prev = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]
        cur = bytearray(stride)
        for i in range(stride):
            a = cur[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 0:
                pred = 0
            elif kind == 1:
                pred = a
            elif kind == 2:
                pred = b
            elif kind == 3:
                pred = (a + b) // 2
            elif kind == 4:
                pred = paeth(a, b, c)
            else:
                refuse("row %d has unknown filter type %d" % (y, kind))
            cur[i] = (line[i] + pred) & 0xFF
        out[y * stride : (y + 1) * stride] = cur
        prev = cur
    return bytes(out)


def main():
    if len(sys.argv) != 3:
        refuse("usage: png_decode.py PNG RAW_OUT")
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    listed, idat, header, idat_done = [], bytearray(), None, False
    for kind, body in chunks(data):
        if not listed and kind != "IHDR":
            refuse("first chunk is %s, not IHDR" % kind)
        if listed and listed[-1] == "IDAT" and kind != "IDAT":
            idat_done = True
        if kind == "IHDR":
            if listed or len(body) != 13:
                refuse("bad IHDR")
            header = struct.unpack(">IIBBBBB", body)
        elif kind == "IDAT":
            if idat_done:
                refuse("IDAT chunks are not consecutive")
            idat += body
        elif kind not in ("IEND", "sRGB") and kind[0].isupper():
            refuse("unknown critical chunk %s" % kind)
        listed.append(kind)
    if not listed or listed[-1] != "IEND":
        refuse("no IEND")
    width, height, depth, color, compression, filtering, interlace = header
    if width == 0 or height == 0 or depth != 8 or color not in (2, 6) or compression or filtering or interlace:
        refuse("unsupported IHDR %r" % (header,))
    z = zlib.decompressobj()
    raw = z.decompress(bytes(idat)) + z.flush()
    if not z.eof or z.unused_data:
        refuse("zlib stream does not end exactly at the end of IDAT")
    bpp = 3 if color == 2 else 4
    with open(sys.argv[2], "wb") as f:
        f.write(unfilter(raw, width, height, bpp))
    print(json.dumps({"width": width, "height": height, "channels": bpp, "chunks": listed}))


if __name__ == "__main__":
    main()

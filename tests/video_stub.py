#!/usr/bin/python3
"""A stand-in for the interpreter's video program, with a real X window: it opens where the
kiosk asks (`video_stub.py X Y WIDTH HEIGHT URL`), painted magenta, named "video-stub", with
its _NET_WM_PID; after a second and a half it misbehaves as a video page may: it takes the
keyboard focus and makes itself full screen, over the kiosk. It runs until it is stopped."""

import os
import sys
import time

from Xlib import X, Xatom, display

x, y, width, height = (int(a) for a in sys.argv[1:5])
d = display.Display()
screen = d.screen()
magenta = screen.default_colormap.alloc_color(0xFFFF, 0, 0xFFFF).pixel
window = screen.root.create_window(
    x, y, width, height, 0, screen.root_depth, X.InputOutput, X.CopyFromParent,
    background_pixel=magenta, event_mask=X.StructureNotifyMask)
window.set_wm_name("video-stub")
window.change_property(d.intern_atom("_NET_WM_PID"), Xatom.CARDINAL, 32, [os.getpid()])
window.map()
d.sync()
time.sleep(1.5)
window.set_input_focus(X.RevertToParent, X.CurrentTime)
window.configure(x=0, y=0, width=screen.width_in_pixels, height=screen.height_in_pixels, stack_mode=X.Above)
d.sync()
while True:
    d.next_event()

import IdemUI
import CNcurses

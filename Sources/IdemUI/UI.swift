import IdemCore

import VigilKube

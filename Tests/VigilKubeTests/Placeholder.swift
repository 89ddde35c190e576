import Testing
import VigilKubeFake

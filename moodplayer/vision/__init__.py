"""moodplayer.vision"""

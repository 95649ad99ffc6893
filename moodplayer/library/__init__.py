"""moodplayer.library"""
